/*
 * commands.h - da3bench's commands besides run/list/env, each taking the
 * arguments after its name and returning the exit status (2 for usage).
 */
#ifndef DA3_COMMANDS_H
#define DA3_COMMANDS_H

int da3_cmd_fixtures(int argc, char **argv);
int da3_cmd_convert(int argc, char **argv);
int da3_cmd_tune(int argc, char **argv);
int da3_cmd_report(int argc, char **argv);  /* scripts/report.py */
int da3_cmd_compare(int argc, char **argv); /* scripts/compare.py */
/* run --report DIR: report.py on json into dir; its exit status */
int da3_run_report(const char *json, const char *dir);
/* run --report, before anything runs: 0 if report.py and the Python that
 * runs it are there, else -1 (one line said why) */
int da3_report_ready(void);

/* The fixture cache: the flag's folder, else $DA3BENCH_FIXTURES, else
 * fixtures-cache/ inside the build folder. */
const char *da3_fixtures_dir(const char *flag);

/* Small parsers shared by the commands: 0 on success. */
int da3_parse_size(const char *s, int *w, int *h);
int da3_parse_int(const char *s, long lo, long hi, long *out);

#endif
