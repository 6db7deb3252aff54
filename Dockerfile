# One image for every hubsim service (see docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY constraints constraints
COPY oicp oicp
COPY mockpki mockpki
COPY simulator simulator
COPY cpo_stub cpo_stub
COPY hubsim hubsim
# The scenarios ship with the image: `docker compose run --rm hub hubsim scenario run
# scenarios/onboarding --target https://stub:8443 --pki /certs` runs the onboarding suite.
COPY scenarios scenarios
RUN pip install --no-cache-dir -c constraints/test.txt .
ENTRYPOINT []
CMD ["hubsim", "demo"]
