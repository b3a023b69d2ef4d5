from django.urls import path

from mailcheck import domain_views, guide_views, views
from mailcheck.autoconfig import views as autoconfig_views
from mailcheck.batch import views as batch_views
from mailcheck.inbound import views as inbound_views
from portal.security import private_when_queried

app_name = "mailcheck"
urlpatterns = [
    # A result's address and page hold the customer's mail address: not cached, not indexed.
    path("", private_when_queried(views.check), name="check"),
    # A domain's record is public: a result is not private, only kept out of search engines.
    path("domain/", domain_views.domain_check, name="domain"),
    # Opened from a result, a guide's address and page hold the customer's values too.
    path("guides/", private_when_queried(guide_views.guide_index), name="guides"),
    path("guides/<slug:program>/", private_when_queried(guide_views.guide_detail), name="guide"),
    # The set-up of a mail program for one address: the address is in the URL and the page.
    path("setup/", private_when_queried(autoconfig_views.setup), name="setup"),
    # Batch checks: the upload form; a batch's page, status and CSV (private: they list addresses).
    path("batch/", batch_views.upload, name="batch_upload"),
    path("batch/sample.csv", batch_views.sample, name="batch_sample"),
    path("batch/<slug:public_id>/", batch_views.detail, name="batch"),
    path("batch/<slug:public_id>/status.json", batch_views.status, name="batch_status"),
    path("batch/<slug:public_id>/results.csv", batch_views.download, name="batch_csv"),
    # Test mails: a one-time address, and what the mail sent to it showed (private pages).
    path("test-mail/", inbound_views.start, name="test_mail_start"),
    path("test-mail/<slug:token>/", inbound_views.detail, name="test_mail"),
    path("test-mail/<slug:token>/status.json", inbound_views.status, name="test_mail_status"),
]
