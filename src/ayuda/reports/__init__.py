"""Reports (R29, R30): read-only figures over the tickets and the phone records, charts, CSV
exports and the staffing recommendation. Writes only its own roll-ups (``TicketFact``).

    models.py     TicketFact: one row per ticket with what the reports ask of it
    facts.py      keeping TicketFact current (after-commit handler, rebuild, business times)
    filters.py    ReportFilters and the form that reads them from a request; links to the queue
    tables.py     Table and Cell: what every figure is, for the page, the chart and the CSV
    tickets.py    ticket figures (volume, heat map, backlog, FCR, escalation, times, reopens,
                  root causes, SLA compliance)
    calls.py      call figures (offered, answered, missed, waits, service level)
    erlang.py     Erlang C and Erlang A
    staffing.py   forecast per hour of the week, agents needed, opening hours
"""
