-- When each erasure reached the erasure log in the backup repository (NULL: not yet). The platform DB dies with the
-- host, so an erasure recorded only here would be lost with it, and a restore of an earlier snapshot would bring the
-- account back; backup-all ships every unlogged erasure off the host before it snapshots anything.
ALTER TABLE account_erasures ADD COLUMN logged_at timestamptz;
