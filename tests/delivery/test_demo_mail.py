"""`planasmun serve` as the README runs it: a citizen's confirmation e-mail lands in the
demo's local mail directory as a .eml file, and the address never reaches the hub's log."""

from __future__ import annotations

import email
import email.policy
import time
import uuid
from pathlib import Path

import httpx

from tests.privacy.personal_values import MARIA
from tests.privacy.support import UPDATE_PROFILE, graphql, sign_in
from tests.support import running_hub

SUBMIT = """
mutation Submit($input: SubmitServiceRequestInput!) {
  submitServiceRequest(input: $input) { request { trackingNumber } errors { code } }
}
"""


def test_the_demo_keeps_citizens_emails_in_a_directory(tmp_path: Path) -> None:
    mail_dir = tmp_path / "demo-systems" / "mail"
    with running_hub(tmp_path) as url, httpx.Client(base_url=url, timeout=15) as browser:
        sign_in(browser, "maria")
        body = graphql(browser, UPDATE_PROFILE, input=MARIA.profile_input())
        assert body["data"]["updateMyProfile"]["errors"] == [], body
        body = graphql(
            browser,
            SUBMIT,
            input={
                "municipalityId": "jarabacoa",
                "serviceId": "no-objecion-ecoturismo",
                "description": "Necesito la certificación para un trámite bancario",
                "idempotencyKey": str(uuid.uuid4()),
                "consent": True,
            },
        )
        result = body["data"]["submitServiceRequest"]
        assert result["errors"] == [], body
        number = result["request"]["trackingNumber"]

        deadline = time.monotonic() + 15
        while not list(mail_dir.glob("*.eml")):
            assert time.monotonic() < deadline, "no e-mail reached the demo's mail directory"
            time.sleep(0.1)
    [saved] = mail_dir.glob("*.eml")
    message = email.message_from_bytes(saved.read_bytes(), policy=email.policy.default)
    assert number in str(message["Subject"])
    assert str(message["To"]) == MARIA.email
    logs = "".join(p.read_text(errors="replace") for p in tmp_path.glob("hub-*.log"))
    assert "Demo mail: e-mails to citizens are kept in" in logs
    assert MARIA.email not in logs
