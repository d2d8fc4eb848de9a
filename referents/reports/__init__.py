"""What ``referents`` reads and adds up, one module per report: ``activity`` (a school's
annual activity report, the référent's dashboard), ``summaries`` (the académie's summary
per bassin), ``coverage`` (the référents' sections of the audit reports, registered with
``training.reports``)."""
