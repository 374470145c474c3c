"""Phone-system records (R30): call detail records and queue logs imported from the phone
system, kept beside the tickets, rolled up per hour for the reports and the staffing page.

    models.py    CallSource (a phone system and how its files read), CallImport (one file),
                 Call (one call), CallHour (the hourly roll-up the reports read)
    parsers.py   Asterisk Master.csv, Asterisk queue_log, generic CSV with a saved mapping
    services.py  calls_import: parse, refuse bad lines with their reason, store the good ones
                 once, link calls to tickets, refresh the roll-up
    rollup.py    call_hours_refresh: the hours an import touched, recomputed set-based
    selectors.py reads for the reports and the calls list
"""
