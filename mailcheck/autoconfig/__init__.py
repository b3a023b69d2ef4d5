"""Mail programs told the right account name before the customer types a wrong one.

The service's login is the address with ``@`` replaced by ``.``; a mail program that guesses
uses the address or the part before ``@``. Three formats hand it the computed login with the
service's servers:

- ``thunderbird``: Mozilla's autoconfig document (Thunderbird, and others that read it),
- ``autodiscover``: Outlook's Autodiscover (POX) request and response,
- ``mobileconfig``: Apple's configuration profile (iPhone, iPad, Mac),

all rendered from one ``MailAccount`` (``account``), with the QR code of the setup page
(``qr``). These modules take plain values and import nothing from Django; ``views`` and
``urls`` are the thin Django shell around them.
"""
