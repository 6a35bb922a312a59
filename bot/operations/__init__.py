"""What operators see of the running bot: health, Prometheus metrics, daily backups."""
