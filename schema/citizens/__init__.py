"""What the hub holds about a citizen, and their rights over it (Ley 172-13).

`me` shows the caller everything the hub holds about them (profile, consents, and the
audit log's entries about them); staff of the linked local government read a profile
with `citizen(subject, purpose)`, each read audited. The mutations rectify
(`updateMyProfile`), export (`exportMyData`) and cancel (`deleteMyData`).
"""

from schema.citizens.mutations import CitizenMutations
from schema.citizens.resolvers import CitizenQueries

__all__ = ["CitizenMutations", "CitizenQueries"]
