import re

from django.core import mail
from django.urls import reverse

from tests.conftest import Cast
from tests.factories import PASSWORD


def test_a_user_logs_in_with_the_right_password_and_is_sent_home(client, cast: Cast) -> None:
    response = client.post(reverse("login"), {"username": "pm", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_wrong_password_is_refused_with_a_message(client, cast: Cast) -> None:
    response = client.post(reverse("login"), {"username": "pm", "password": "nope"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(cast: Cast) -> None:
    client = cast.client_for(cast.pmo)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("projects:list")).status_code == 302


def test_a_user_changes_their_password(cast: Cast) -> None:
    client = cast.client_for(cast.project_manager)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-secret-77",
            "new_password2": "a-new-secret-77",
        },
    )
    assert response.status_code == 302
    cast.project_manager.user.refresh_from_db()
    assert cast.project_manager.user.check_password("a-new-secret-77")


def test_password_reset_mails_a_link_that_sets_a_new_password(client, cast: Cast) -> None:
    client.post(reverse("password_reset"), {"email": "pm@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)
    assert link
    form_url = client.get(link.group(1), follow=True).redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "reset-secret-88", "new_password2": "reset-secret-88"}
    )
    assert response.status_code == 302
    cast.project_manager.user.refresh_from_db()
    assert cast.project_manager.user.check_password("reset-secret-88")
