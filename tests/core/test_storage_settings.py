"""CERTWRIGHT_STORAGE and the CERTWRIGHT_S3_* variables: the local directory by
default; a private S3 bucket when asked, with credentials from the environment or
a file; every mistake stops start-up with a message naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from certwright.conf.env import Env, media_storage
from tests.core.test_settings_env import settings_in_child

S3 = {
    "CERTWRIGHT_STORAGE": "s3",
    "CERTWRIGHT_S3_BUCKET": "certwright-media",
    "CERTWRIGHT_S3_ENDPOINT_URL": "https://s3.example.net",
    "CERTWRIGHT_S3_REGION": "eu-central-1",
    "CERTWRIGHT_S3_ADDRESSING_STYLE": "path",
    "CERTWRIGHT_S3_PREFIX": "/media/",
    "CERTWRIGHT_S3_ACCESS_KEY_ID": "AKIAEXAMPLE",
    "CERTWRIGHT_S3_SECRET_ACCESS_KEY": "s3cr3t",
}


def test_uploads_stay_on_the_local_disk_by_default() -> None:
    env = Env({})
    assert media_storage(env) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    # Every storage variable is read even so: the documented list stays whole.
    assert {n for n in env.names if n.startswith("CERTWRIGHT_S3_")} == {
        n for n in S3 if n.startswith("CERTWRIGHT_S3_")
    } | {"CERTWRIGHT_S3_SECRET_ACCESS_KEY_FILE"}


def test_s3_is_a_private_bucket_with_the_given_endpoint_and_keys() -> None:
    storage = media_storage(Env(S3))
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "certwright-media"
    assert options["endpoint_url"] == "https://s3.example.net"
    assert options["region_name"] == "eu-central-1"
    assert options["addressing_style"] == "path"
    assert options["location"] == "media"
    assert (options["access_key"], options["secret_key"]) == ("AKIAEXAMPLE", "s3cr3t")
    # Never public: no ACL header (owner only), and any URL is signed and brief.
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True
    assert options["querystring_expire"] <= 300
    assert options["file_overwrite"] is False


def test_without_keys_the_hosts_own_credentials_are_used() -> None:
    """An instance role or AWS_* variables: boto3's own chain, so None here."""
    env = {k: v for k, v in S3.items() if "ACCESS_KEY" not in k}
    options = media_storage(Env(env))["OPTIONS"]
    assert options["access_key"] is None
    assert options["secret_key"] is None
    assert options["endpoint_url"] == "https://s3.example.net"


def test_the_secret_can_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "s3-secret"
    secret.write_text("from-a-file\n", encoding="utf-8")
    env = {**S3, "CERTWRIGHT_S3_SECRET_ACCESS_KEY_FILE": str(secret)}
    del env["CERTWRIGHT_S3_SECRET_ACCESS_KEY"]
    assert media_storage(Env(env))["OPTIONS"]["secret_key"] == "from-a-file"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"CERTWRIGHT_STORAGE": "ftp"}, "CERTWRIGHT_STORAGE='ftp' is not valid"),
        ({"CERTWRIGHT_S3_BUCKET": ""}, "CERTWRIGHT_S3_BUCKET is not set"),
        (
            {"CERTWRIGHT_S3_ENDPOINT_URL": "s3.example.net"},
            "CERTWRIGHT_S3_ENDPOINT_URL='s3.example.net' is not valid",
        ),
        (
            {"CERTWRIGHT_S3_ADDRESSING_STYLE": "dns"},
            "CERTWRIGHT_S3_ADDRESSING_STYLE='dns' is not valid",
        ),
        ({"CERTWRIGHT_S3_SECRET_ACCESS_KEY": ""}, "go together"),
        ({"CERTWRIGHT_S3_ACCESS_KEY_ID": ""}, "go together"),
        (
            {"CERTWRIGHT_S3_SECRET_ACCESS_KEY_FILE": "/etc/hostname"},
            "are both set",
        ),
        (
            {
                "CERTWRIGHT_S3_SECRET_ACCESS_KEY": "",
                "CERTWRIGHT_S3_SECRET_ACCESS_KEY_FILE": "/nonexistent/s3-secret",
            },
            "CERTWRIGHT_S3_SECRET_ACCESS_KEY_FILE='/nonexistent/s3-secret' is not "
            "valid: expected a readable file",
        ),
    ],
)
def test_a_bad_storage_setting_stops_start_up_naming_it(
    change: dict[str, str], message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(")):
        media_storage(Env({**S3, **change}))


def test_an_empty_secret_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "s3-secret"
    empty.write_text("\n", encoding="utf-8")
    env = {**S3, "CERTWRIGHT_S3_SECRET_ACCESS_KEY_FILE": str(empty)}
    del env["CERTWRIGHT_S3_SECRET_ACCESS_KEY"]
    with pytest.raises(ImproperlyConfigured, match="this one is empty"):
        media_storage(Env(env))


def test_x_accel_redirect_cannot_reach_a_bucket() -> None:
    """nginx cannot sign requests to the bucket: the app streams each checked file
    itself, so a proxy prefix set with S3 is a mistake, refused at start-up."""
    with pytest.raises(ImproperlyConfigured, match="CERTWRIGHT_MEDIA_ACCEL_PREFIX"):
        media_storage(Env(S3), accel_prefix="/protected-media/")
    # with the local directory it is what nginx serves from
    assert media_storage(Env({}), accel_prefix="/protected-media/")["BACKEND"] == (
        "django.core.files.storage.FileSystemStorage"
    )


def test_the_settings_use_the_bucket_and_refuse_the_proxy_prefix_with_it() -> None:
    """The real settings module, in a fresh process, as an operator starts it."""
    env = {**S3, "CERTWRIGHT_DEBUG": "1"}
    done = settings_in_child(env, "STORAGES")
    assert done.returncode == 0, done.stderr
    assert "storages.backends.s3.S3Storage" in done.stdout
    env["CERTWRIGHT_MEDIA_ACCEL_PREFIX"] = "/protected-media/"
    refused = settings_in_child(env, "STORAGES")
    assert refused.returncode != 0
    assert "CERTWRIGHT_MEDIA_ACCEL_PREFIX is set with CERTWRIGHT_STORAGE=s3" in (
        refused.stderr
    )
