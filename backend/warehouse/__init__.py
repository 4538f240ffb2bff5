"""The shared warehouse partner: signed JSON API (v1), parcel status rules, client and simulator.

- ``signing``   HMAC-SHA256 request signatures (timestamp + body), verification with key rotation
- ``protocol``  msgspec structs of the v1 API: pick lists, withdrawals, backorder decisions, events
- ``status``    pure parcel status rules (never regress; fold a sequence of events)
- ``examples``  example bodies (OpenAPI, docs), checked against the structs by a test
- ``client``    the app's side: send pick lists and withdrawals, classify the answers
- ``simulator`` ``fsc warehouse-sim``: a separate process that plays the partner in dev and tests
  (``sim_engine`` timed lifecycles, ``sim_lifecycle`` seeded choices, ``sim_outbox`` delivery)
"""
