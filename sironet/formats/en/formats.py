# English dates as the catalogue writes them ("18 December 2017"); other languages keep
# Django's own formats (Chinese: "2017年12月18日").
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
