# Reference for tests/test_convergence.py: panel beta-convergence with two-way fixed
# effects on libpysal's builtin us_income data (usjoin.csv, 48 US states), 1990-2009,
# estimated with R plm (Croissant & Millo 2008).
# Run from the repository root:
#   Rscript tests/reference/convergence/panel_beta_plm.R \
#     "$(python -c 'from libpysal import examples; print(examples.get_path("usjoin.csv"))')" \
#     > tests/reference/convergence/panel_beta_plm.txt
library(plm)
args <- commandArgs(trailingOnly = TRUE)
wide <- read.csv(args[1], check.names = FALSE)
years <- as.character(1990:2009)
long <- do.call(rbind, lapply(seq_len(nrow(wide)), function(i) {
  data.frame(unit = i - 1, year = 1990:2009, income = as.numeric(wide[i, years]))
}))
long <- long[order(long$unit, long$year), ]
long$log_income <- log(long$income)
pd <- pdata.frame(long, index = c("unit", "year"))
pd$growth <- pd$log_income - plm::lag(pd$log_income, 1)
pd$log_initial <- plm::lag(pd$log_income, 1)
fit <- plm(growth ~ log_initial, data = pd, model = "within", effect = "twoways")
b <- coef(fit)[["log_initial"]]
se <- sqrt(diag(vcov(fit)))[["log_initial"]]
se_cl <- sqrt(diag(vcovHC(fit, method = "arellano", type = "sss", cluster = "group")))[["log_initial"]]
cat(sprintf("beta %.12f\n", b))
cat(sprintf("se_unadjusted %.12f\n", se))
cat(sprintf("se_clustered_sss %.12f\n", se_cl))
cat(sprintf("nobs %d\n", nobs(fit)))
cat(sprintf("speed %.12f\n", -log(1 + b)))
