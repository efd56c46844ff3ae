# shellcheck shell=sh
# Transcripts for secret_leaks from the shell tests, as transcript.hpp keeps them for the C++
# suites: source this file, pass each recoupd command line to transcript_secrets_of before running
# it, and save what recoupd printed with transcript_save. Without RECOUP_BUILD_ROOT it does nothing.
TRANSCRIPTS=""
if [ -n "${RECOUP_BUILD_ROOT:-}" ]; then
    TRANSCRIPTS="$RECOUP_BUILD_ROOT/transcripts"
    mkdir -p "$TRANSCRIPTS"
fi

# transcript_secret VALUE: one secret handed to recoupd.
transcript_secret() {
    if [ -n "$TRANSCRIPTS" ] && [ -n "$1" ]; then printf '%s\n' "$1" >>"$TRANSCRIPTS/secrets.list"; fi
    return 0
}

# transcript_database_url URL: the password of "scheme://user:password@host/...", if any.
transcript_database_url() {
    transcript_secret "$(printf '%s' "$1" | sed -n 's|^[a-z0-9]*://[^/@:]*:\([^/@]*\)@.*|\1|p')"
}

# transcript_secrets_of ARGS...: the secrets of a recoupd command line and of its environment.
transcript_secrets_of() {
    while [ $# -gt 1 ]; do
        case $1 in
            --secret | --api-key | --admin-token) transcript_secret "$2" ;;
            --database) transcript_database_url "$2" ;;
            --secret-env) case $2 in [A-Za-z_]*) transcript_secret "$(printenv "$2")" ;; esac ;;
            --secret-file) if [ -r "$2" ]; then
                while IFS= read -r line || [ -n "$line" ]; do transcript_secret "$line"; done <"$2"
            fi ;;
        esac
        shift
    done
    transcript_secret "${RECOUP_MASTER_KEY:-}"
    transcript_secret "${RECOUP_ADMIN_TOKEN:-}"
    transcript_database_url "${RECOUP_DATABASE_URL:-}"
}

# transcript_save NAME FILE...: appends the files to transcripts/NAME (one NAME per process).
transcript_save() {
    [ -n "$TRANSCRIPTS" ] || return 0
    name=$1
    shift
    cat "$@" >>"$TRANSCRIPTS/$name"
}
