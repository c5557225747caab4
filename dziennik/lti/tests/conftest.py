import pytest
from django.conf import settings
from django.test import Client

from dziennik.grades import services as grades_services
from dziennik.lti import services

from .tool import Browser, LtiTool

TOOL_NAME = "Quizyn"


@pytest.fixture
def lti_tool():
    tool = LtiTool()
    yield tool
    tool.stop()


def register(world, tool: LtiTool, *, name: str = TOOL_NAME, **extra):
    """The tool registered by the school's principal (its JWKS address on loopback)."""
    return services.tool_register(
        actor=world.user("principal"),
        name=name,
        login_url=tool.url + "/login",
        launch_url=tool.url + "/launch",
        redirect_uris=[],
        deep_link_url="",
        jwks_url=tool.url + "/jwks",
        public_key="",
        **extra,
    )


@pytest.fixture
def registered(world, lti_tool, live_server):
    """(the register's Tool, the running tool configured with its ids)."""
    grades_services.grading_setup_defaults(school=world.school)
    record = register(world, lti_tool)
    lti_tool.configure(
        issuer=live_server.url, client_id=record.client_id, deployment_id=record.deployment_id
    )
    return record, lti_tool


def place(world, record, *, column_maximum=None, title="Quiz z ułamków"):
    return services.placement_add(
        actor=world.user("teacher_in"),
        tool=record,
        school_class=world.school_class,
        subject=world.subject,
        title=title,
        column_maximum=column_maximum,
    )


def browser_of(world, role: str) -> Browser:
    client = Client()
    client.force_login(world.user(role))
    return Browser(
        (settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    )
