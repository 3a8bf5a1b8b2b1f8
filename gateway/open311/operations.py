"""The GraphQL operations Open311 runs in-process (the API's own schema, same checks).

Every operation is given `$language` (the answer's, from `Accept-Language`); those that
word texts of the schema's own declare it and ask for them in it.
"""

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
query Open311ServiceDefinition($id: ID!, $language: Language!) {
  service(id: $id) {
    id
    acceptsRequests
    municipality { id }
    requestFields {
      code label(language: $language) description(language: $language) datatype required order
      choices { key name(language: $language) }
    }
  }
}
"""

_PUBLIC_REQUEST = """
  trackingNumber serviceId serviceName status statusLabel(language: $language)
  submittedAt updatedAt expectedBy deliveredToMunicipality
  municipality { id name }
  history { status note }
"""

#: One request by its tracking number; `$personal` asks the personal fields too (they come
#: back null with FORBIDDEN, or PURPOSE_REQUIRED for staff, for whoever may not read them).
REQUEST = f"""
query Open311Request($number: String!, $personal: Boolean!, $language: Language!) {{
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
  $from: DateTime, $to: DateTime, $first: Int!, $offset: Int!, $language: Language!
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
      trackingNumber status expectedBy deliveredToMunicipality
    }
    errors { field code message en: message(language: EN) }
  }
}
"""
