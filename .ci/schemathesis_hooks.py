"""Schemathesis hooks for the contract step of .ci/run (loaded through schemathesis.toml).

The generator reuses a handful of header values, so most requests carrying an Idempotency-Key
would send a key already used for another body, which the API rightly refuses with 422 (see
openapi.yaml, IdempotencyKey). Real clients send a fresh key per logical request: every valid
key is made unique here (deterministically, so a seeded run repeats). Invalid keys are left
alone, so their 400 answers are still exercised.
"""

import itertools
import re

import schemathesis

VALID_KEY = re.compile(r"[!-~]([ -~]{0,253}[!-~])?")
COUNTER = itertools.count(1)


@schemathesis.hook
def before_call(ctx, case, kwargs):
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and VALID_KEY.fullmatch(str(headers[name])):
            headers[name] = f"contract-{next(COUNTER)}"
