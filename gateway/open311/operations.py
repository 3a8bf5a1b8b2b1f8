"""The GraphQL operations Open311 runs in-process (the API's own schema, same checks)."""

from __future__ import annotations

#: Services are read in pages of this many (the query cost model bounds a page).
SERVICES_PAGE = 50

JURISDICTION = """
query Open311Jurisdiction($id: ID!) {
  municipality(id: $id) { id name }
}
"""

SERVICES = """
query Open311Services($id: ID!, $first: Int!, $offset: Int!) {
  municipality(id: $id) {
    id
    name
    services(first: $first, offset: $offset) {
      id name description category acceptsRequests
      requestFields { code }
    }
  }
}
"""

SERVICE_DEFINITION = """
query Open311ServiceDefinition($id: ID!) {
  service(id: $id) {
    id
    acceptsRequests
    municipality { id }
    requestFields {
      code label description datatype required order
      choices { key name }
    }
  }
}
"""

_PUBLIC_REQUEST = """
  trackingNumber serviceId serviceName status statusLabel
  submittedAt updatedAt expectedBy deliveredToMunicipality
  municipality { id name }
  history { status note }
"""

#: One request by its tracking number; `$personal` asks the personal fields too (they come
#: back null with FORBIDDEN, or PURPOSE_REQUIRED for staff, for whoever may not read them).
REQUEST = f"""
query Open311Request($number: String!, $personal: Boolean!) {{
  serviceRequest(trackingNumber: $number) {{
    {_PUBLIC_REQUEST}
    description @include(if: $personal)
    address @include(if: $personal)
    latitude @include(if: $personal)
    longitude @include(if: $personal)
  }}
}}
"""

REQUESTS = f"""
query Open311Requests(
  $id: ID!, $services: [String!], $status: [RequestStatus!],
  $from: DateTime, $to: DateTime, $first: Int!, $offset: Int!
) {{
  publicServiceRequests(
    municipalityId: $id, serviceIds: $services, status: $status,
    submittedFrom: $from, submittedTo: $to, first: $first, offset: $offset
  ) {{
    {_PUBLIC_REQUEST}
  }}
}}
"""

SUBMIT = """
mutation Open311Submit($input: SubmitServiceRequestInput!) {
  submitServiceRequest(input: $input) {
    created
    request {
      trackingNumber status statusLabel expectedBy deliveredToMunicipality
    }
    errors { field code message }
  }
}
"""
