//! The Go text/template engine with Sprig and Helm functions (the default).
