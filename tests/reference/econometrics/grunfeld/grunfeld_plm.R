# Reference estimates for tests/test_econometrics_fixed_effects.py.
# Run: Rscript grunfeld_plm.R > grunfeld_plm_output.txt   (R 4.2, plm from Debian bookworm)
# Grunfeld (1958) investment data, 10 firms x 20 years (1935-1954), as shipped by plm;
# statsmodels' grunfeld dataset has the same 10 firms plus American Steel.
suppressPackageStartupMessages(library(plm))
data("Grunfeld", package = "plm")
options(digits = 10)
show <- function(tag, m, v) {
  se <- sqrt(diag(v))
  for (n in names(coef(m))) cat(sprintf("%s %s coef=%.10f se=%.10f\n", tag, n, coef(m)[n], se[n]))
}
ow <- plm(inv ~ value + capital, data = Grunfeld, model = "within", effect = "individual")
tw <- plm(inv ~ value + capital, data = Grunfeld, model = "within", effect = "twoways")
show("oneway_conventional", ow, vcov(ow))
show("twoway_conventional", tw, vcov(tw))
# Arellano cluster-by-firm sandwich without any small-sample factor (c = 1)
show("oneway_cluster_HC0", ow, vcovHC(ow, method = "arellano", type = "HC0", cluster = "group"))
show("twoway_cluster_HC0", tw, vcovHC(tw, method = "arellano", type = "HC0", cluster = "group"))
cat(sprintf("twoway_r2_within %.10f\n", summary(tw)$r.squared["rsq"]))
cat(sprintf("oneway_r2_within %.10f\n", summary(ow)$r.squared["rsq"]))
cat(sprintf("R %s plm %s\n", getRversion(), packageVersion("plm")))
