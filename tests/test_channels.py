"""Request channels: each configured way reaches the advocate's owner with the request filled in,
says where it goes, and the profile offers them in the configured order (in Chromium too)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from advocate_catalog.activity import availability
from advocate_catalog.build import build
from advocate_catalog.channels import links
from advocate_catalog.model import Channel
from advocate_catalog.serve import server
from advocate_catalog.validate import load_config

from conftest import AS_OF, copy_repo

FORM = "https://forms.tessellate.example/ask?advocate={id}&who={name}&at={company}&to={owner}&mail={owner_email}"
ALL_CHANNELS = f"""requests:
  channels:
    - {{kind: github}}
    - {{kind: form, url: "{FORM}", label: Request in ServiceNow}}
    - {{kind: slack, team: T0TESSELL8}}
    - {{kind: teams}}
    - {{kind: email}}
"""


def _with_channels(repo: Path, channels: str) -> None:
    config = repo / "catalog.yaml"
    text = config.read_text(encoding="utf-8")
    start = text.index("requests:\n")
    end = text.index("\n# The employees who own")
    config.write_text(text[:start] + channels + text[end:], encoding="utf-8")


def _replace_in_config(repo: Path, *pairs: tuple[str, str]) -> None:
    config = repo / "catalog.yaml"
    text = config.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text
        text = text.replace(old, new)
    config.write_text(text, encoding="utf-8")


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_each_channel_reaches_the_owner_with_the_request_filled_in(sample_catalog) -> None:
    config = replace(sample_catalog.config, channels=(
        Channel("email"), Channel("teams"), Channel("slack", team="T0TESSELL8"),
        Channel("form", url=FORM, label="Request in ServiceNow"), Channel("github")))
    advocate = next(a for a in sample_catalog.listed(AS_OF) if a.data["owner"] == "amara-okafor")
    owner = config.owners["amara-okafor"]
    found = {link.kind: link for link in links(config, advocate)}
    assert list(found) == ["email", "teams", "slack", "form", "github"]  # the configured order
    name, company = advocate.name, advocate.data["company"]["name"]

    email = urlsplit(found["email"].href)
    assert (email.scheme, unquote(email.path)) == ("mailto", owner.email)
    assert _query(found["email"].href)["subject"] == f"Advocate request: {name} ({company})"
    body = _query(found["email"].href)["body"]
    assert body.startswith(f"Hi Amara,\n\nI would like to ask {name} of {company}")
    assert found["email"].goes_to == "opens an e-mail to Amara Okafor, the request filled in"

    teams = _query(found["teams"].href)
    assert found["teams"].href.startswith("https://teams.microsoft.com/l/chat/0/0?")
    assert teams["users"] == owner.email and f"ask {name} of {company}" in teams["message"]

    assert found["slack"].href == f"slack://user?team=T0TESSELL8&id={owner.slack}"
    assert _query(found["form"].href) == {"advocate": advocate.id, "who": name, "at": company,
                                          "to": owner.id, "mail": owner.email}
    assert found["form"].label == "Request in ServiceNow"
    assert "forms.tessellate.example" in found["form"].goes_to

    github = _query(found["github"].href)
    assert found["github"].href.startswith(f"{config.repository_url}/issues/new?")
    assert github == {"template": "request.yml", "advocate": advocate.id, "title": f"Request: {name}"}
    assert "GitHub account needed" in found["github"].goes_to


def test_slack_is_offered_only_for_owners_with_a_member_id(sample_catalog) -> None:
    config = replace(sample_catalog.config, channels=(Channel("slack", team="T1"), Channel("email")))
    for advocate in sample_catalog.listed(AS_OF):
        kinds = [link.kind for link in links(config, advocate)]
        has_id = bool(config.owners[advocate.data["owner"]].slack)
        assert kinds == (["slack", "email"] if has_id else ["email"]), advocate.id


def test_hostile_names_cannot_break_out_of_a_link(sample_catalog) -> None:
    advocate = sample_catalog.listed(AS_OF)[0]
    hostile = replace(advocate, data={**advocate.data, "name": 'Eve"&subject=x&to=evil@x.example <b>'})
    config = replace(sample_catalog.config, channels=(Channel("email"), Channel("form", url=FORM),
                                                      Channel("github")))
    for link in links(config, hostile):
        query = _query(link.href)
        assert "to" not in query or query["to"] == config.owners[advocate.data["owner"]].id
        assert not {"subject"} - set(query) or link.kind != "email"
        assert " " not in link.href and "<" not in link.href and '"' not in link.href


def test_exception_requests_say_so_and_name_the_limit(sample_catalog) -> None:
    config = sample_catalog.config
    for advocate in sample_catalog.listed(AS_OF):
        state = availability(advocate, AS_OF, config.limits)
        if state.exception_possible:
            email = next(link for link in links(config, advocate, state) if link.kind == "email")
            query = _query(email.href)
            assert query["subject"].startswith("Exception request: ")
            assert f"until {state.until.isoformat()}" in query["body"]
            assert "Why it cannot wait or go to another advocate" in query["body"]
            return
    pytest.fail("the sample has no advocate at a limit")


def test_config_refuses_channels_that_reach_no_one(repo: Path) -> None:
    _with_channels(repo, "requests:\n  channels:\n    - {kind: slack, team: T0TESSELL8}\n")
    _replace_in_config(repo, (", slack: U01AMARA0K", ""), (", slack: U01BENTAK3", ""))
    _, issues = load_config(repo)
    assert [i.message for i in issues] == [
        "the slack request channel reaches no one: no owner has a slack member id"]
    _with_channels(repo, "requests:\n  channels:\n    - {kind: github}\n")
    _replace_in_config(repo, ("  repository_url: https://github.com/tessellate/advocate-catalog\n", ""))
    _, issues = load_config(repo)
    assert [str(i).split(": ", 2)[2] for i in issues] == [
        "the github request channel needs site.repository_url — set site.repository_url to the data "
        "repository, or remove this channel"]
    _with_channels(repo, "requests:\n  channels:\n    - {kind: form}\n")
    _, issues = load_config(repo)
    assert len(issues) == 1 and "url" in issues[0].message


def test_the_older_request_url_is_one_form(repo: Path) -> None:
    _with_channels(repo, "")
    _replace_in_config(repo, ("  noindex: true\n",
                              "  noindex: true\n  request_url: https://forms.example/x?a={id}\n"))
    config, issues = load_config(repo)
    assert not issues and config is not None
    assert config.channels == (Channel("form", url="https://forms.example/x?a={id}"),)


# --- In Chromium: following each link -----------------------------------------------------------

@pytest.fixture(scope="module")
def channels_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    repo = copy_repo(tmp_path_factory.mktemp("channels") / "repo")
    _with_channels(repo, ALL_CHANNELS)
    _replace_in_config(repo, ("github: gwhitfield}", "github: gwhitfield, slack: U01GRACEW1}"))
    build(repo, repo / "site", AS_OF)
    httpd = server(repo / "site", port=0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def _followed(browser, url: str, selector: str) -> str:
    """Click the link and return where the browser went: a web address is caught on its way
    out (and stopped: no page leaves this machine); mailto: and slack: are handed to other
    programs by a browser, so the click is caught on the page."""
    page = browser.new_page()
    went: list[str] = []
    try:
        def leave(route) -> None:
            if route.request.url.startswith(url):
                route.continue_()
            else:
                went.append(route.request.url)
                route.abort()

        page.route("**/*", leave)
        page.goto(url + "advocates/emily-tran/")
        page.evaluate("""() => document.addEventListener('click', (event) => {
            const link = event.target.closest('a');
            if (link && !/^https?:/.test(link.href)) { window.__went = link.href; event.preventDefault(); }
        }, true)""")
        page.locator(selector).click()
        page.wait_for_timeout(300)
        return page.evaluate("window.__went") or (went[-1] if went else "")
    finally:
        page.close()


def test_every_channel_link_opens_the_configured_address(browser, channels_site: str,
                                                         sample_catalog) -> None:
    page = browser.new_page()
    page.goto(channels_site + "advocates/emily-tran/")
    buttons = page.locator(".ask:not([hidden]) .request-channels a")
    assert [buttons.nth(i).get_attribute("data-channel") for i in range(buttons.count())] == [
        "github", "form", "slack", "teams", "email"]
    assert buttons.first.get_attribute("class") == "button"
    notes = page.locator(".ask:not([hidden]) .channel-note").all_inner_texts()
    assert notes[-1] == "opens an e-mail to Grace Whitfield, the request filled in"
    page.close()
    owner = sample_catalog.config.owners["grace-whitfield"]
    went = {kind: _followed(browser, channels_site,
                            f'.ask:not([hidden]) .request-channels a[data-channel="{kind}"]')
            for kind in ("github", "form", "slack", "teams", "email")}
    assert went["github"].startswith("https://github.com/tessellate/advocate-catalog/issues/new?")
    assert _query(went["github"])["advocate"] == "emily-tran"
    assert _query(went["form"])["who"] == "Emily Tran" and _query(went["form"])["to"] == owner.id
    assert went["slack"] == "slack://user?team=T0TESSELL8&id=U01GRACEW1"
    assert _query(went["teams"])["users"] == owner.email
    assert "ask Emily Tran of Northbridge Health Partners" in _query(went["teams"])["message"]
    body = _query(went["email"])["body"]  # each message names the activity chosen and the profile
    assert "Activity: " in body and "Activity: \n" not in body
    assert "Profile: https://" in body and "/advocates/emily-tran/" in body
    assert _query(went["github"])["activity"].endswith(")")  # the issue form's option, prefilled
    assert went["email"].startswith(f"mailto:{owner.email}?")
    assert _query(went["email"])["subject"] == "Advocate request: Emily Tran (Northbridge Health Partners)"


def test_a_slack_profile_shows_the_text_to_paste(browser, channels_site: str) -> None:
    page = browser.new_page()
    page.goto(channels_site + "advocates/emily-tran/")
    page.locator(".ask:not([hidden]) details.request-text summary").click()
    text = page.locator(".ask:not([hidden]) details.request-text pre").inner_text()
    assert "I would like to ask Emily Tran" in text
    page.close()
