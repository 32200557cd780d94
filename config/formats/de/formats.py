# Dates on the public pages and in the admin (FORMAT_MODULE_PATH); everything else from Django's "de".
DATE_FORMAT = "j. F Y"
DATETIME_FORMAT = "j. F Y, H:i"
