// The engine under test is a Linux shared library (native/libsqlite3mc.so); so are these tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
