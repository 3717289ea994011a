# One image for the hub API, its workers and the reference systems.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY hub ./hub
COPY mocks ./mocks
RUN pip install .
COPY connectors ./connectors
COPY mappings ./mappings
COPY examples ./examples
ENV HUB_CONFIG_DIR=/app
EXPOSE 8000
CMD ["hub", "serve", "--host", "0.0.0.0", "--port", "8000"]
