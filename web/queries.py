"""The GraphQL operations behind each page, run in-process through the hub's schema.

The municipality is asked for twice under two names: its own fields, and its catalogue.
A source that fails nulls only the part that depends on it, so the page can still show
the municipality's name and contact when its catalogue is unreachable.
"""

from __future__ import annotations

HOME = """
query WebHome {
  municipalities {
    id
    name
    kind
    province
    parent { id name }
  }
}
"""

_MUNICIPALITY_FIELDS = """
    id
    name
    kind
    province
    isDemo
    contact { address phone email website hours }
    parent { id name onboarded }
"""

MUNICIPALITY = f"""
query WebMunicipality($id: ID!, $search: String, $category: ServiceCategory) {{
  municipality(id: $id) {{ {_MUNICIPALITY_FIELDS} }}
  catalogue: municipality(id: $id) {{
    services(search: $search, category: $category) {{
      id
      name
      description
      category
      fee {{ amount currency }}
      durationDays
      channels
    }}
  }}
}}
"""

SERVICE = f"""
query WebService($municipality: ID!, $service: ID!) {{
  municipality(id: $municipality) {{ {_MUNICIPALITY_FIELDS} }}
  service(id: $service) {{
    id
    name
    description
    category
    requirements
    fee {{ amount currency }}
    durationDays
    channels
    legalBasis
    acceptsRequests
  }}
}}
"""
