# Only read with -var-file=prod.tfvars: not by a scan.
unset = true
