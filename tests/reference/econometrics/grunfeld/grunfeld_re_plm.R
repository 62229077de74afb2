# Reference estimates for tests/test_econometrics_random_effects.py.
# Run: Rscript grunfeld_re_plm.R > grunfeld_re_plm_output.txt   (R 4.2, plm from Debian bookworm)
# Grunfeld (1958) investment data, 10 firms x 20 years (1935-1954), as shipped by plm;
# statsmodels' grunfeld dataset has the same 10 firms (in the same order) plus American
# Steel. The column sums pin that the tests use the same numbers.
suppressPackageStartupMessages(library(plm))
data("Grunfeld", package = "plm")
options(digits = 10)
cat(sprintf("data sum_inv=%.4f sum_value=%.4f sum_capital=%.4f n=%d\n",
            sum(Grunfeld$inv), sum(Grunfeld$value), sum(Grunfeld$capital), nrow(Grunfeld)))
show <- function(tag, m, v, names = c("(Intercept)", "value", "capital")) {
  se <- sqrt(diag(v))
  z <- coef(m) / se
  for (n in names) cat(sprintf("%s %s coef=%.10f se=%.10f p=%.10g\n", tag, n, coef(m)[n],
                               se[n], 2 * pnorm(-abs(z[n]))))
}
components <- function(tag, m) {
  e <- ercomp(m)
  th <- e$theta
  if (is.list(th)) th <- th$id
  cat(sprintf("%s sigma2_e=%.10f sigma2_u=%.10f theta_min=%.10f theta_max=%.10f rsq=%.10f\n",
              tag, e$sigma2[["idios"]], e$sigma2[["id"]], min(th), max(th),
              summary(m)$r.squared[["rsq"]]))
}
# one-way random effects, Swamy-Arora (Baltagi, Table 2.1, SWAR row)
re <- plm(inv ~ value + capital, data = Grunfeld, model = "random", random.method = "swar")
show("re_oneway", re, vcov(re))
components("re_oneway", re)
# Arellano cluster-by-firm sandwich of the GLS fit without any small-sample factor
show("re_oneway_cluster_HC0", re, vcovHC(re, method = "arellano", type = "HC0", cluster = "group"))
# random firm effects plus fixed year dummies (Stata: xtreg inv value capital i.year, re)
rey <- plm(inv ~ value + capital + factor(year), data = Grunfeld, model = "random",
           random.method = "swar")
show("re_year_dummies", rey, vcov(rey))
components("re_year_dummies", rey)
# unbalanced: plm's swar is the Baltagi-Chang (1994) small-sample Swamy-Arora estimator
drop <- with(Grunfeld, (firm == 1 & year <= 1937) | (firm == 5 & year == 1950) |
                       (firm == 9 & year >= 1940 & year <= 1944))
ub <- Grunfeld[!drop, ]
reu <- plm(inv ~ value + capital, data = ub, model = "random", random.method = "swar")
show("re_unbalanced", reu, vcov(reu))
components("re_unbalanced", reu)
# Hausman tests: within vs GLS, each with its own conventional covariance
fe <- plm(inv ~ value + capital, data = Grunfeld, model = "within")
h <- phtest(fe, re)
cat(sprintf("hausman_oneway chisq=%.10f df=%d p=%.10f\n", h$statistic, h$parameter, h$p.value))
# with year effects: two-way within vs random firm effects + year dummies, on the two
# slopes only (phtest would also compare the year dummies), by the same formula
fey <- plm(inv ~ value + capital, data = Grunfeld, model = "within", effect = "twoways")
b <- c("value", "capital")
d <- coef(fey)[b] - coef(rey)[b]
v <- vcov(fey)[b, b] - vcov(rey)[b, b]
stat <- as.numeric(t(d) %*% solve(v) %*% d)
cat(sprintf("hausman_year_dummies chisq=%.10f df=%d p=%.10f\n", stat, 2L,
            pchisq(stat, 2, lower.tail = FALSE)))
cat(sprintf("R %s plm %s\n", getRversion(), packageVersion("plm")))
