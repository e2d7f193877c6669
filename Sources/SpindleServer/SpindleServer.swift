// SpindleServer: the site, the two serving modes, configuration, logging and systemd glue.
