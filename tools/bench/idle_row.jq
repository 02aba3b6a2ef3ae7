# One row of section 6's table from a run of tools/bench/failover --idle.
def ctl:
  if .system != "nsrpd" then "(none)"
  elif .ctl_deadline_ms > 0 then "\(.ctl_deadline_ms) ms"
  else "\(3 * .interval_ms) ms (the data plane's)" end;
"| \(if .system == "nsrpd" then "nsrpd" else "keepalived" end)"
+ " | \(.interval_ms) ms | \(ctl)"
+ " | \(.changes_fw1) / \(.changes_fw2) | \(.final)"
+ " | \(.probe.stalls) of \(.probe.threshold_ms) ms or more"
+ " | \(.probe.longest_stall_ms) ms | \(.probe.steal_ms) ms |"
