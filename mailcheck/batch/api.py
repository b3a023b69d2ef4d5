"""The batch checks' API routes, mounted under /api/v1/batches."""

import ninja

router = ninja.Router(tags=["batches"])
