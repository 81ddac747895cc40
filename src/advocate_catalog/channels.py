"""The ways a profile offers to ask an owner for an advocate: e-mail, chat, a web form, GitHub.

Each way reaches the advocate's owner, never the customer, and says where it goes before it is
followed. The catalog.yaml `requests.channels` list chooses which ways, in which order.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

from .activity import Availability
from .model import Advocate, Channel, Config, Owner


@dataclass(frozen=True)
class Link:
    """One request link on a profile: where it points, what it says, and where it goes."""

    kind: str
    href: str
    label: str
    goes_to: str  # "opens an e-mail to Amara Okafor"


def first_name(owner: Owner) -> str:
    return owner.name.split()[0]


def subject(advocate: Advocate, exception: bool = False) -> str:
    data = advocate.data
    kind = "Exception request" if exception else "Advocate request"
    return f"{kind}: {data['name']} ({data['company']['name']})"


@dataclass(frozen=True)
class Ask:
    """What a request is for: the activity (id and label) and the profile it was made from."""

    activity: str = ""
    label: str = ""
    profile_url: str = ""


def message(advocate: Advocate, owner: Owner, available: Availability | None = None,
            ask: Ask = Ask()) -> str:
    """The request a person sends, with blanks for what only they know. An exception request
    names the limit it would break and asks why it cannot wait."""
    data = advocate.data
    lines = [f"Hi {first_name(owner)},", "",
             f"I would like to ask {data['name']} of {data['company']['name']} for:", "",
             f"Activity: {ask.label}" if ask.label else "Activity (e.g. reference call): ",
             "Opportunity / account: ", "Date needed by: "]
    if ask.profile_url:
        lines.insert(3, f"Profile: {ask.profile_url}")
    if available is not None and available.exception_possible and available.until:
        lines += ["", f"This is an exception: the catalog shows them as {available.label.lower()} "
                  f"until {available.until.isoformat()} ({available.reason}).",
                  "Why it cannot wait or go to another advocate: "]
    lines += ["Context: ", "", "Thanks!"]
    return "\n".join(lines)


def _form_url(channel: Channel, advocate: Advocate, owner: Owner, ask: Ask = Ask()) -> str:
    url = channel.url
    for placeholder, value in (("{id}", advocate.id), ("{activity}", ask.activity),
                               ("{name}", advocate.data["name"]),
                               ("{company}", advocate.data["company"]["name"]),
                               ("{owner}", owner.id), ("{owner_email}", owner.email)):
        url = url.replace(placeholder, quote(value, safe=""))
    return url


def _github_url(config: Config, advocate: Advocate, exception: bool, ask: Ask) -> str:
    title = f"{'Exception request' if exception else 'Request'}: {advocate.data['name']}"
    fields = {"template": "request.yml", "advocate": advocate.id, "title": title}
    if ask.activity:  # the issue form's dropdown option, as issueform._option writes it
        fields["activity"] = f"{ask.label} ({ask.activity})"
    query = urlencode(fields, quote_via=quote)
    return f"{config.repository_url}/issues/new?{query}"


def link(config: Config, channel: Channel, advocate: Advocate,
         available: Availability | None = None, ask: Ask = Ask()) -> Link | None:
    """The link for one channel, or None when it cannot reach this advocate's owner (Slack
    without the owner's member id). `available` makes it an exception request."""
    owner = config.owners[advocate.data["owner"]]
    exception = available is not None
    first = first_name(owner)
    if channel.kind == "email":
        query = urlencode({"subject": subject(advocate, exception),
                           "body": message(advocate, owner, available, ask)}, quote_via=quote)
        return Link("email", f"mailto:{quote(owner.email, safe='@')}?{query}",
                    channel.label or f"Email {first} a request",
                    f"opens an e-mail to {owner.name}, the request filled in")
    if channel.kind == "teams":
        query = urlencode({"users": owner.teams or owner.email,
                           "message": message(advocate, owner, available, ask)}, quote_via=quote)
        return Link("teams", f"https://teams.microsoft.com/l/chat/0/0?{query}",
                    channel.label or f"Chat with {first} in Teams",
                    f"opens a Teams chat with {owner.name}, the request filled in")
    if channel.kind == "slack":
        if not owner.slack:
            return None
        query = urlencode({"team": channel.team, "id": owner.slack}, quote_via=quote)
        return Link("slack", f"slack://user?{query}", channel.label or f"Message {first} in Slack",
                    f"opens Slack on {owner.name}; paste the request text below")
    if channel.kind == "form":
        host = urlsplit(channel.url).hostname or "the request form"
        return Link("form", _form_url(channel, advocate, owner, ask),
                    channel.label or "Use the request form",
                    f"opens the request form on {host}, for {owner.name}")
    return Link("github", _github_url(config, advocate, exception, ask),
                channel.label or "Request on GitHub",
                f"opens a request issue assigned to {owner.name} (GitHub account needed); "
                "limits are checked and the activity logged")


def links(config: Config, advocate: Advocate,
          exception_for: Availability | None = None, ask: Ask = Ask()) -> list[Link]:
    """Every configured channel that reaches this advocate's owner, primary first."""
    found = (link(config, channel, advocate, exception_for, ask) for channel in config.channels)
    return [item for item in found if item is not None]
