# Dates as British English writes them (the pages announce en_GB); everything else from Django's "en".
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
