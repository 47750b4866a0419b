from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage
from django.core.files.storage.handler import StorageHandler

from support.storage import FILESYSTEM, S3, storage_from_url
from tests.support.settings_loader import load_settings

S3_URL = "s3://sb-attachments?endpoint=https://objects.example.net&region=eu-central-1&prefix=att"


def test_without_storage_url_attachments_go_to_local_disk(monkeypatch):
    loaded = load_settings(monkeypatch)
    assert loaded.STORAGES["default"] == {"BACKEND": FILESYSTEM}


def test_an_s3_storage_url_picks_s3_storage_with_its_bucket_endpoint_and_region(monkeypatch):
    loaded = load_settings(monkeypatch, STORAGE_URL=S3_URL)
    default = loaded.STORAGES["default"]
    assert default["BACKEND"] == S3
    assert default["OPTIONS"]["bucket_name"] == "sb-attachments"
    assert default["OPTIONS"]["endpoint_url"] == "https://objects.example.net"
    assert default["OPTIONS"]["region_name"] == "eu-central-1"
    assert default["OPTIONS"]["location"] == "att"
    assert default["OPTIONS"]["querystring_auth"] is True


def test_the_s3_backend_builds_and_signs_private_download_urls(monkeypatch):
    """django-storages accepts the options; a download URL is signed and points at the endpoint.

    No request is made: signing is local, so this runs without an S3 server.
    """
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    storages = StorageHandler({"default": storage_from_url(S3_URL + "&addressing=path")})
    storage = storages["default"]
    url = storage.url("attachments/1/6c1f")
    assert url.startswith("https://objects.example.net/sb-attachments/att/attachments/1/6c1f?")
    assert "Signature" in url or "X-Amz-Signature" in url


def test_a_file_url_picks_local_disk_at_that_path(tmp_path):
    storages = StorageHandler({"default": storage_from_url(f"file://{tmp_path}")})
    storage = storages["default"]
    assert isinstance(storage, FileSystemStorage)
    assert storage.location == str(tmp_path)


@pytest.mark.parametrize(
    "url",
    ["s3://key:secret@bucket", "s3://", "ftp://files.example.net/x", "file://"],
)
def test_storage_urls_that_cannot_work_are_refused_with_a_reason(url):
    with pytest.raises(ImproperlyConfigured):
        storage_from_url(url)
