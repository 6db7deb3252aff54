# One image for every hubsim service (see docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY oicp oicp
COPY mockpki mockpki
COPY simulator simulator
COPY cpo_stub cpo_stub
COPY hubsim hubsim
RUN pip install --no-cache-dir .
ENTRYPOINT []
