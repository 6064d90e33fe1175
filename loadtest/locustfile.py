"""Load test: the four journeys of the platform against gunicorn + PostgreSQL on 127.0.0.1.

Run it through `make loadtest` (loadtest/run.py): it prepares the database, starts gunicorn,
logs the simulated users in and writes their session cookies and the pages to visit into
the file named by LOADTEST_PLAN, then runs this file headless (50 users, 60 s).

Journeys (weights are the share of simulated users):
- 家长/公众 parent or public visitor: home, 科学育儿 articles, the survey page, certificate
  verification by QR link, site search;
- 学员 trainee: portal, my training, my certificates;
- 培训机构 provider: runs, one run, issued certificates;
- 市/区县卫健委 commission or county official: the progress dashboard (the city, or one county),
  a drill-down list, certificate management.
Every request is a GET that must answer 200; anything else counts as a failure. Requests are
named by page type, so the summary gives the p95 of each type.
"""

import itertools
import json
import os
import random

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["LOADTEST_PLAN"], encoding="utf-8").read())
_session_counters = {role: itertools.count() for role in PLAN["sessions"]}


class _Journey(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)
    role = None

    def on_start(self):
        if self.role:
            sessions = PLAN["sessions"][self.role]
            cookie = sessions[next(_session_counters[self.role]) % len(sessions)]
            self.client.cookies.set(PLAN["session_cookie"], cookie, domain="127.0.0.1")
        self.rng = random.Random()

    def page(self, path, name):
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code} for {path}")


class Public(_Journey):
    weight = 5

    @task(3)
    def article(self):
        self.page(self.rng.choice(PLAN["articles"]), "article page")

    @task(1)
    def home(self):
        self.page("/", "home page")

    @task(1)
    def article_index(self):
        self.page(PLAN["article_index"], "article list")

    @task(2)
    def verify(self):
        self.page(self.rng.choice(PLAN["verify"]), "certificate verification")

    @task(1)
    def survey(self):
        if PLAN.get("survey"):
            self.page(PLAN["survey"], "survey page")

    @task(1)
    def search(self):
        self.page("/site/search/?q=" + self.rng.choice(["睡眠", "喂养", "早期发展", "安全"]), "site search")


class Trainee(_Journey):
    weight = 2
    role = "trainee"

    @task(2)
    def portal(self):
        self.page("/me/", "trainee portal")

    @task(2)
    def my_training(self):
        self.page("/training/me/", "trainee: my training")

    @task(1)
    def my_certificates(self):
        self.page("/certificates/", "trainee: my certificates")


class Provider(_Journey):
    weight = 1
    role = "provider"

    @task(2)
    def runs(self):
        self.page("/training/runs/", "provider: runs")

    @task(2)
    def one_run(self):
        if PLAN["runs"]:
            self.page(f"/training/runs/{self.rng.choice(PLAN['runs'])}/", "provider: one run")

    @task(1)
    def certificates(self):
        self.page("/certificates/provider/", "provider: certificates")


class _Office(_Journey):
    """市/区县卫健委: the dashboard, a drill-down list, certificate management."""

    abstract = True

    @task(1)
    def drill_down(self):
        self.page("/dashboard/records/" + self.rng.choice(PLAN["metric_keys"]) + "/", "dashboard drill-down")

    @task(1)
    def manage(self):
        self.page("/certificates/manage/", "certificate management")


class Commission(_Office):
    weight = 1
    role = "commission"

    @task(3)
    def dashboard(self):
        self.page("/dashboard/", "dashboard")

    @task(1)
    def county_dashboard(self):
        self.page("/dashboard/?county=" + self.rng.choice(PLAN["counties"]), "dashboard (one county)")


class County(_Office):
    """A county official: the same journey, limited to their own county (the default scope)."""

    weight = 1
    role = "county"

    @task(4)
    def dashboard(self):
        self.page("/dashboard/", "dashboard (one county)")
