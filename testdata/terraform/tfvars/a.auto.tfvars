mode = "unconfined"
