"""The notify service: one notice per event and recipient, preferences respected, the
email claimed before it is sent, and the digest once a day."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portfolio.notifications.models import Kind, Notification, NotificationDigest
from portfolio.notifications.services import (
    SEND_EMAIL_TASK,
    digests_send,
    emails_pending,
    notification_email_send,
    notifications_mark_all_read,
    notify,
    preferences_save,
)
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _notify(cast: Cast, key: str = "event-1", kind: str = Kind.ESCALATION) -> list[Notification]:
    return notify(
        recipients=[cast.programme_manager.user],
        kind=kind,
        event_key=key,
        title="Risk escalated",
        url="/projects/1/",
    )


def test_the_same_event_twice_makes_one_notice(cast: Cast) -> None:
    assert len(_notify(cast)) == 1
    assert _notify(cast) == []
    assert Notification.objects.count() == 1


def test_a_recipient_named_twice_is_told_once(cast: Cast) -> None:
    user = cast.programme_manager.user
    made = notify(recipients=[user, None, user], kind=Kind.MENTION, event_key="k", title="t")
    assert [n.recipient for n in made] == [user]


def test_a_new_notice_is_unread_and_wants_an_email_by_default(cast: Cast) -> None:
    (notice,) = _notify(cast)
    assert notice.read_at is None and notice.in_app and notice.wants_email


def test_the_email_is_sent_by_a_task_enqueued_after_commit(
    cast: Cast, django_capture_on_commit_callbacks, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    sent: list[tuple[str, int]] = []
    monkeypatch.setattr(
        "portfolio.notifications.services.enqueue_on_commit",
        lambda task, pk: sent.append((task, pk)),
    )
    (notice,) = _notify(cast)
    assert sent == [(SEND_EMAIL_TASK, notice.pk)]


def test_someone_who_turned_a_kind_off_gets_nothing_of_it(cast: Cast) -> None:
    user = cast.programme_manager.user
    preferences_save(user=user, choices={Kind.ESCALATION: (False, False)}, digest=False)
    assert _notify(cast) == []
    assert _notify(cast, kind=Kind.MENTION, key="other") != []


def test_email_only_makes_a_notice_kept_out_of_the_app(cast: Cast) -> None:
    user = cast.programme_manager.user
    preferences_save(user=user, choices={Kind.ESCALATION: (False, True)}, digest=False)
    (notice,) = _notify(cast)
    assert not notice.in_app and notice.wants_email
    assert not Notification.objects.shown_to(user).exists()


def test_in_app_only_sends_no_email(cast: Cast) -> None:
    user = cast.programme_manager.user
    preferences_save(user=user, choices={Kind.ESCALATION: (True, False)}, digest=False)
    (notice,) = _notify(cast)
    assert notice.in_app and not notice.wants_email


def test_a_reminder_notice_never_sends_a_second_email(cast: Cast) -> None:
    (notice,) = _notify(cast, kind=Kind.REMINDER)
    assert not notice.wants_email


def test_a_person_without_an_address_gets_the_notice_but_no_email(cast: Cast) -> None:
    user = cast.programme_manager.user
    user.email = ""
    user.save()
    (notice,) = _notify(cast)
    assert notice.in_app and not notice.wants_email


def test_the_email_goes_once_however_often_the_task_runs(cast: Cast) -> None:
    (notice,) = _notify(cast)
    assert notification_email_send(notification_id=notice.pk) is True
    assert notification_email_send(notification_id=notice.pk) is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Risk escalated"
    assert mail.outbox[0].to == [cast.programme_manager.user.email]
    assert "http://" in mail.outbox[0].body and "/projects/1/" in mail.outbox[0].body


def test_the_email_goes_to_the_persons_address_when_it_has_one(cast: Cast) -> None:
    cast.programme_manager.email = "gus@work.example.org"
    cast.programme_manager.save()
    (notice,) = _notify(cast)
    notification_email_send(notification_id=notice.pk)
    assert mail.outbox[0].to == ["gus@work.example.org"]


def test_a_failed_email_is_given_back_for_a_retry(cast: Cast, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def refuse(self, fail_silently=False):  # type: ignore[no-untyped-def]
        raise OSError("connection refused")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    (notice,) = _notify(cast)
    with pytest.raises(OSError):
        notification_email_send(notification_id=notice.pk)
    notice.refresh_from_db()
    assert notice.emailed_at is None


def test_emails_whose_task_was_lost_are_found_by_the_sweep(cast: Cast) -> None:
    (notice,) = _notify(cast)
    assert emails_pending() == []
    Notification.objects.filter(pk=notice.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    assert emails_pending() == [notice.pk]


def test_mark_all_read_marks_only_my_own(cast: Cast) -> None:
    (mine,) = _notify(cast)
    (theirs,) = notify(
        recipients=[cast.project_manager.user], kind=Kind.MENTION, event_key="x", title="t"
    )
    assert notifications_mark_all_read(user=cast.programme_manager.user) == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_the_digest_lists_the_days_unread_notices_once_a_day(cast: Cast) -> None:
    user = cast.programme_manager.user
    preferences_save(user=user, choices={}, digest=True)
    _notify(cast, key="a")
    _notify(cast, key="b")
    assert digests_send() == 1
    assert digests_send() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Stationmaster: 2 unread notice(s)"
    assert NotificationDigest.objects.get(user=user).last_sent_on == timezone.localdate()


def test_no_digest_for_those_who_did_not_choose_it_or_have_nothing_unread(cast: Cast) -> None:
    _notify(cast)
    preferences_save(user=cast.project_manager.user, choices={}, digest=True)
    assert digests_send() == 0
    assert mail.outbox == []
