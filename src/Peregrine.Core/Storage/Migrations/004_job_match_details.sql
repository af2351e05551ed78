-- Which of the résumé's skills, domains and keywords a job's text mentions (the score's explanation, beside
-- keyword_gaps, which lists the missing ones), and why its listing could not be fetched (null once it was, or once
-- the user filled in its details by hand). Both are ours; upstream's columns are unchanged.
ALTER TABLE jobs ADD COLUMN matched_keywords TEXT;
ALTER TABLE jobs ADD COLUMN fetch_error TEXT;
