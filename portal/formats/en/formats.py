"""English dates as the portal's prose writes them ("25 March 2014"): day first, month in full,
which neither a Japanese nor a British or American reader misreads. Django's own English formats
fill in everything not set here."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
