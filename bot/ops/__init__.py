"""What an operator needs: Prometheus metrics (`metrics`), the `/healthz` + `/metrics` HTTP
endpoint (`health`) and reloading content without a restart (`reload`)."""
