import datetime
with open('log.txt', 'a') as f:
    f.write('write.py ran at %s\n' % datetime.datetime.now().isoformat())
