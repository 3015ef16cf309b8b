import hmac

from pages import tokens


def test_secrets_are_random_and_long():
    first, second = tokens.new_secret("sk_"), tokens.new_secret("sk_")
    assert first != second
    assert first.startswith("sk_") and len(first) >= 40


def test_a_secret_matches_its_digest_only():
    secret = tokens.new_secret()
    stored = tokens.digest(secret)
    assert tokens.secret_matches(secret, stored)
    assert not tokens.secret_matches(secret + "x", stored)
    assert not tokens.secret_matches("", stored)
    assert not tokens.secret_matches(secret, "")


def test_digests_are_compared_in_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    secret = tokens.new_secret()
    assert tokens.secret_matches(secret, tokens.digest(secret))
    assert calls, "secret_matches must compare with hmac.compare_digest"
