"""A municipality's audit log, for its supervisors (Ley 172-13).

`municipalityAuditLog(municipalityId, first, before)` lists the audit log's entries about
one local government, newest first: who acted (staff identifier and role), when, what,
on which record, which fields (names, never values) and why. Supervisors and
administrators of that municipality and the national administrators may read it; anyone
else is refused with `FORBIDDEN`, and a signed-in caller's refusal is itself audited.
"""

from schema.audit.resolvers import AuditQueries

__all__ = ["AuditQueries"]
