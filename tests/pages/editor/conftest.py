"""The Schedule Editor tests' fixtures: a page and a client allowed to edit it."""

from __future__ import annotations

import pytest

from tests.pages.editor.helpers import create_page


@pytest.fixture
def page(owner):
    return create_page(owner)


@pytest.fixture
def editing(client, page):
    """A client whose session may edit ``page``; returns (client, configuration, token)."""
    configuration, token = page
    response = client.get("/editor/", {"edit_token": token})
    assert response.status_code == 302
    return client, configuration, token
