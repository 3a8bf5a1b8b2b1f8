"""The demo, apart from the product: the pilot governments' simulated municipal systems
(SOAP vendors, legacy SQL databases, workbooks, a REST portal), the bundled OpenID Connect
provider, the local mail sink and the demo's hooks.

The product never imports this package, except in one place: `gateway.cli._demo`, which
`planasmun serve` and `check-config` call in demo mode (`PLANASMUN_DEMO`, on by default)
to reach `demo.launch`. Outside demo mode the hub runs with this package absent
(tests/test_layering.py and tests/test_demo_apart.py keep it so).
"""
