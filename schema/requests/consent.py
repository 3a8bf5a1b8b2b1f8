"""The consent a citizen gives with each service request (Ley 172-13).

Recorded in the citizens' store with this purpose and text version the first time a
citizen submits a request under this version of the text; a new version asks again.
"""

from __future__ import annotations

from words import Message

REQUEST_CONSENT_PURPOSE = "service_request"
#: Changes whenever `REQUEST_CONSENT_TEXT` changes.
REQUEST_CONSENT_VERSION = "2026-12-01"
REQUEST_CONSENT_TEXT = Message(
    "schema",
    "I authorise PLANASMUN to keep what I write in this request and to send it to the "
    "local government that handles it. Only its staff, whose every look is recorded, and "
    "I can see it. I can see it, download it or ask for it to be erased at any time "
    "(Law 172-13).",
)
