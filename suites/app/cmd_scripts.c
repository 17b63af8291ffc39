/*
 * The commands that are front ends of the Python reporting scripts:
 *
 *   da3bench report RESULTS.json... --out DIR [--format md|latex] [...]
 *   da3bench compare BASE.json NEW.json [...]
 *
 * and the report step of `da3bench run --report DIR`. The scripts are found
 * in $DA3BENCH_SCRIPTS, else the source tree this binary was built from;
 * the interpreter is $DA3BENCH_PYTHON, else the one meson found with
 * matplotlib and pytest, else python3 on PATH. Exit statuses are the
 * scripts' own (compare: 0 no regression, 1 regression, 2 bad input, 3
 * inconclusive).
 */
#include "commands.h"

#include "da3_config.h"
#include "find_program.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int script_path(const char *name, char *buf, size_t len)
{
    const char *dir = getenv("DA3BENCH_SCRIPTS");
    snprintf(buf, len, "%s/%s", dir && *dir ? dir : DA3_SOURCE_DIR "/scripts", name);
    if (access(buf, R_OK) == 0)
        return 0;
    fprintf(stderr, "da3bench: cannot find %s (looked in %s; set DA3BENCH_SCRIPTS to the "
                    "folder holding da3bench's scripts/)\n",
            name, dir && *dir ? dir : DA3_SOURCE_DIR "/scripts");
    return -1;
}

static const char *python(void)
{
    const char *p = getenv("DA3BENCH_PYTHON");
    if (p && *p)
        return p;
    return access(DA3_PYTHON, X_OK) == 0 ? DA3_PYTHON : "python3";
}

/* argv for: python SCRIPT args... (argv[n] = NULL) */
static char **script_argv(const char *script, int argc, char **argv)
{
    char **a = calloc((size_t)argc + 3, sizeof *a);
    if (!a)
        return NULL;
    a[0] = (char *)python();
    a[1] = (char *)script;
    for (int i = 0; i < argc; i++)
        a[i + 2] = argv[i];
    return a;
}

static int exec_script(const char *name, int argc, char **argv)
{
    char path[4200];
    if (script_path(name, path, sizeof path))
        return 2;
    char **a = script_argv(path, argc, argv);
    if (!a)
        return 1;
    fflush(NULL);
    execvp(a[0], a);
    fprintf(stderr, "da3bench: cannot run %s: %s (set DA3BENCH_PYTHON)\n", a[0], strerror(errno));
    free(a);
    return 2;
}

int da3_cmd_report(int argc, char **argv) { return exec_script("report.py", argc, argv); }

int da3_cmd_compare(int argc, char **argv) { return exec_script("compare.py", argc, argv); }

int da3_report_ready(void)
{
    char path[4200], prog[4200];
    if (script_path("report.py", path, sizeof path))
        return -1;
    if (da3_find_program(python(), prog, sizeof prog)) {
        fprintf(stderr, "da3bench: --report: cannot run %s (set DA3BENCH_PYTHON)\n", python());
        return -1;
    }
    return 0;
}

int da3_run_report(const char *json, const char *dir)
{
    char path[4200];
    if (script_path("report.py", path, sizeof path))
        return 2;
    char *args[] = {(char *)json, "--out", (char *)dir, "--format", "latex"};
    char **a = script_argv(path, 5, args);
    if (!a)
        return 1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        execvp(a[0], a);
        fprintf(stderr, "da3bench: cannot run %s: %s (set DA3BENCH_PYTHON)\n", a[0],
                strerror(errno));
        _exit(127);
    }
    free(a);
    int st = 0, w = -1;
    while (pid > 0 && (w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ; /* a signal (its handler stops the run) while the report runs */
    if (pid < 0 || w < 0) {
        fprintf(stderr, "da3bench: --report: cannot start the report: %s\n", strerror(errno));
        return 1;
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
