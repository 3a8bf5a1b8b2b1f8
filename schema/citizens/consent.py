"""The consent a citizen gives when they first give the hub personal data.

The text is versioned: a consent records the version it was given to, and a new version
asks again. The web client shows the same words through its catalogues (Spanish and
English); a test holds the Spanish catalogue entry to `CONSENT_TEXT`.
"""

from __future__ import annotations

from words import Message

#: What the data is collected for (the `purpose` a consent records).
CONSENT_PURPOSE = "datos_de_contacto"
#: Changes whenever `CONSENT_TEXT` changes.
CONSENT_TEXT_VERSION = "2026-11-28"
#: The terms in Spanish, the words a consent is given to (the `accounts` catalogue's entry;
#: the web's `messages` catalogue holds the same for the pages).
CONSENT_TEXT = Message(
    "accounts",
    "I authorise PLANASMUN to keep the personal details I write here so that the local "
    "government I choose can handle my requests and contact me about them. Only its staff "
    "can see them, and each time they do it is recorded. I can see, correct, download or "
    "ask to delete them at any time (Law 172-13).",
).es
