# netcompare as one Streamlit instance, for compose.yaml (two of them behind nginx) or any
# container platform. Documented in docs/deployment.md ("Docker and compose"); the tested
# path is deploy/run-instances with Debian's nginx (tests/deploy).
#
#   docker build -t netcompare .
#   docker run --rm -p 8501:8501 -e NETCOMPARE_MODE=shared \
#     -e NETCOMPARE_DB_URL=postgresql+psycopg://netcompare:PASSWORD@db/netcompare netcompare
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    NETCOMPARE_MODE=shared

WORKDIR /app
# Dependencies first: a code change does not reinstall them.
COPY requirements.txt ./
RUN pip install -r requirements.txt

# The app, its pages, the library, the built-in data sets and Streamlit's config.toml.
COPY app.py ./
COPY pages ./pages
COPY netcompare ./netcompare
COPY sample_data ./sample_data
COPY datasets ./datasets
COPY .streamlit/config.toml ./.streamlit/config.toml

# A service account without a login shell or a home of any use: it owns nothing in /app.
# Secrets are mounted read-only at /app/.streamlit/secrets.toml (compose.yaml).
RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin netcompare
USER netcompare

EXPOSE 8501
# Streamlit's own health check: 200 "ok" once the server is up (curl is not in the slim
# image; Python is).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status == 200 else 1)"]

CMD ["streamlit", "run", "app.py", \
     "--server.headless=true", "--server.address=0.0.0.0", "--server.port=8501", \
     "--server.fileWatcherType=none", "--client.toolbarMode=viewer"]
