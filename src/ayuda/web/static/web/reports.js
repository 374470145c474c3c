// Report charts (issue 13): being built.
