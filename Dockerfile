# The production image: gunicorn serves Django, whitenoise serves the static files.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv PATH="/opt/venv/bin:$PATH"
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project
COPY . .
RUN DEBUG=false SECRET_KEY=build-only python manage.py collectstatic --no-input
RUN useradd --system --uid 1000 stationmaster
USER stationmaster
EXPOSE 8000
CMD ["gunicorn", "portfolio.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
