"""The consent a citizen gives when they first give the hub personal data.

The text is versioned: a consent records the version it was given to, and a new version
asks again. The web client shows the same words through its catalogues (Spanish and
English); a test holds the Spanish catalogue entry to `CONSENT_TEXT`.
"""

from __future__ import annotations

#: What the data is collected for (the `purpose` a consent records).
CONSENT_PURPOSE = "datos_de_contacto"
#: Changes whenever `CONSENT_TEXT` changes.
CONSENT_TEXT_VERSION = "2026-11-28"
CONSENT_TEXT = (
    "Autorizo a PLANASMUN a guardar los datos personales que escribo aquí para que el "
    "ayuntamiento que elijo pueda tramitar mis solicitudes y contactarme sobre ellas. "
    "Solo los ve el personal de ese ayuntamiento, y cada consulta queda registrada. "
    "Puedo verlos, corregirlos, descargarlos o pedir que se borren en cualquier momento "
    "(Ley 172-13)."
)
